"""The benchmarks' generator (benchmarks/generate.py) still makes what the benchmarks measure.

Not a timing test: it only checks, through the public API and the list page, that the generated
entries exist, are published, and are varied enough that a domain word finds a few percent of them
(a search benchmark on entries that all match one word would measure the worst case only).
"""

from benchmarks.generate import populate

N = 60


def test_generated_entries_are_published_varied_and_found_by_a_few_words(db, client):
    populate(N, seed=3)

    listing = client.get("/api/v1/initiatives/?page_size=100").json()
    assert listing["count"] == N
    entries = listing["results"]
    assert all(1 <= len(entry["sectors"]) <= 3 for entry in entries)
    assert all(len({i["actor"]["slug"] for i in entry["involvements"]}) == 2 for entry in entries)
    assert all(i["actor"]["acronym"] for entry in entries for i in entry["involvements"])
    assert len({entry["name"] for entry in entries}) > N * 0.9
    assert len({entry["kind"] for entry in entries}) >= 5

    # One domain word: a few entries, neither none nor most of them.
    found = client.get("/api/v1/initiatives/?q=cadastre").json()["count"]
    assert 1 <= found <= N * 0.15
    page = client.get("/initiatives/?q=cadastre")
    assert page.status_code == 200
    assert "cadastre" in page.content.decode().lower()
