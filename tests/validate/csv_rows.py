"""Reads orgaudit's CSV output from stdin with Python's csv module (RFC
4180 dialect) and prints the header and the rows as JSON. Fails when a row
has another number of cells than the header, or a cell would run as a
spreadsheet formula (starts with = + - @, a tab or a carriage return).
"""
import csv
import io
import json
import sys

text = sys.stdin.buffer.read().decode("utf-8")
reader = csv.reader(io.StringIO(text, newline=""), strict=True)
header = next(reader)
rows = []
for n, row in enumerate(reader, 2):
    if len(row) != len(header):
        sys.exit(f"row {n}: {len(row)} cells, header has {len(header)}")
    for cell in row:
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
            sys.exit(f"row {n}: a formula cell {cell!r}")
    rows.append(dict(zip(header, row)))
print(json.dumps({"header": header, "rows": rows}))
