"""Small real files of the formats archives hold, built in the test (no fixtures copied from corpora)."""

from __future__ import annotations

import io

ARTICLE = (
    "An earthquake of magnitude 7.8 struck southern Turkey early on Monday, toppling buildings. "
    "Rescuers searched through the rubble for survivors as aftershocks shook the region. "
    "Officials said at least 1,500 people were killed."
)


def html_page(title: str = "Quake kills hundreds", body: str = ARTICLE, date: str = "2023-02-06") -> str:
    paragraphs = "".join(f"<p>{s.strip()}.</p>" for s in body.split(".") if s.strip())
    return (
        "<!doctype html><html lang='en'><head>"
        f"<title>{title} | The Daily</title>"
        "<meta property='og:site_name' content='The Daily'>"
        f"<meta property='og:title' content='{title}'>"
        f"<meta property='article:published_time' content='{date}T08:00:00Z'>"
        "<link rel='canonical' href='https://www.daily.example.com/world/quake'>"
        "</head><body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>{title}</h1>{paragraphs}</article>"
        "<footer>Copyright The Daily. All rights reserved.</footer></body></html>"
    )


def pdf_bytes(text: str | None) -> bytes:
    """A one-page PDF whose text layer is `text` (None: a page with no text, like a scan)."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode() if text else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def warc_record(url: str, body: bytes, encoding: str | None = None) -> bytes:
    """One uncompressed WARC response record of an HTML `body` (sent with Content-Encoding `encoding`)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    headers = [("Content-Type", "text/html; charset=utf-8")] + ([("Content-Encoding", encoding)] if encoding else [])
    http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
    record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)
    writer.write_record(record)
    record.raw_stream.close()
    return out.getvalue()


def warc_bytes(pages: list[tuple[str, str]], gzip: bool = True) -> bytes:
    """A web archive with one HTML response per (url, html), plus an image response to be ignored."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzip)
    for url, html in pages:
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(html.encode()),
            http_headers=headers,
            warc_headers_dict={"WARC-Date": "2023-02-07T12:00:00Z"},
        )
        writer.write_record(record)
        record.raw_stream.close()
    image = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        "https://x.example/a.png", "response", payload=io.BytesIO(b"\x89PNG"), http_headers=image
    )
    writer.write_record(record)
    record.raw_stream.close()
    return out.getvalue()
