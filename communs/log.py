"""One JSON object per log line (LOG_FORMAT=json), for log collectors that parse fields."""

import json
import logging


class JSONFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if getattr(record, "status_code", None):
            entry["status_code"] = record.status_code
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            entry["method"], entry["path"] = request.method, request.path
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
