"""Writing a minimal PDF from its objects: header, numbered objects, a correct cross-reference
table and trailer. For generated demo files and test fixtures, not for documents people edit."""


def pdf_from_objects(objects: list[bytes]) -> bytes:
    """A PDF whose objects are `objects` (numbered from 1; object 1 is the catalogue)."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
