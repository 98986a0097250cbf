"""Evidence ingest: walk the evidence tree, hash each file once, sniff its type, decode images and EXIF.

Nothing in this package writes to the evidence. The submodules are imported on their own so that commands
which never decode images (`cbis --help`, `cbis search`) do not pay for Pillow.
"""
