"""Structured logs carry no personal data: exception messages are left out (SPEC §9)."""

import json
import logging
import sys

from fss.core.logging import JsonFormatter


def test_log_lines_are_json_and_omit_exception_messages():
    try:
        raise ValueError("Key (given_name)=(Jane) already exists")
    except ValueError:
        record = logging.LogRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: %s",
            ("/x/",),
            sys.exc_info(),
        )
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["message"] == "Internal Server Error: /x/"
    assert entry["exception"] == "ValueError"
    assert entry["stack"]
    assert "Jane" not in line
