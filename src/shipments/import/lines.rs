//! NDJSON lines from a request body as it streams in: the body is never held whole, only the
//! line being read (at most [`MAX_LINE_BYTES`]) and the chunk it came in.

use axum::body::{BodyDataStream, Bytes};
use futures_util::StreamExt;

/// The longest line read; a longer one is reported and skipped up to its newline.
pub const MAX_LINE_BYTES: usize = 4 * 1024 * 1024;

/// One line of the body, numbered from 1.
#[derive(Debug)]
pub enum Line {
    Text(u64, Vec<u8>),
    TooLong(u64),
}

/// Why the body could not be read to its end.
#[derive(Debug)]
pub enum ReadError {
    /// Longer than the route's limit (`IMPORT_BODY_LIMIT_BYTES`).
    TooLarge,
    Broken(String),
}

pub struct LineReader {
    body: BodyDataStream,
    /// Bytes received and not yet returned, from `start`.
    buf: Vec<u8>,
    start: usize,
    /// Where to continue looking for a newline (bytes before it have none).
    scanned: usize,
    number: u64,
    /// Inside a line that was too long, until its newline.
    skipping: bool,
    ended: bool,
}

impl LineReader {
    pub fn new(body: BodyDataStream) -> Self {
        Self {
            body,
            buf: Vec::new(),
            start: 0,
            scanned: 0,
            number: 0,
            skipping: false,
            ended: false,
        }
    }

    /// The next line with content (blank lines are counted but not returned), or `None` at
    /// the end of the body.
    pub async fn next(&mut self) -> Result<Option<Line>, ReadError> {
        loop {
            if let Some(pos) = self.buf[self.scanned..].iter().position(|b| *b == b'\n') {
                let end = self.scanned + pos;
                let line = self.take(end, end + 1);
                if let Some(line) = line {
                    return Ok(Some(line));
                }
                continue;
            }
            self.scanned = self.buf.len();
            if self.ended {
                let end = self.buf.len();
                if self.start == end && !self.skipping {
                    return Ok(None);
                }
                let line = self.take(end, end);
                self.skipping = false;
                match line {
                    Some(line) => return Ok(Some(line)),
                    None => return Ok(None),
                }
            }
            if self.buf.len() - self.start > MAX_LINE_BYTES && !self.skipping {
                self.number += 1;
                self.skipping = true;
                self.buf.clear();
                self.start = 0;
                self.scanned = 0;
                return Ok(Some(Line::TooLong(self.number)));
            }
            if self.skipping {
                self.buf.clear();
                self.start = 0;
                self.scanned = 0;
            }
            match self.body.next().await {
                Some(Ok(chunk)) => self.push(chunk),
                Some(Err(e)) => return Err(classify(e)),
                None => self.ended = true,
            }
        }
    }

    /// The line `start..end` (the rest of a skipped line when skipping), consuming up to
    /// `next`; `None` for a blank line or the end of a skipped one.
    fn take(&mut self, end: usize, next: usize) -> Option<Line> {
        let text = &self.buf[self.start..end];
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        let line = if self.skipping {
            self.skipping = false;
            None
        } else {
            self.number += 1;
            if text.len() > MAX_LINE_BYTES {
                Some(Line::TooLong(self.number))
            } else {
                (!text.iter().all(u8::is_ascii_whitespace))
                    .then(|| Line::Text(self.number, text.to_vec()))
            }
        };
        self.start = next.min(self.buf.len());
        self.scanned = self.start;
        line
    }

    fn push(&mut self, chunk: Bytes) {
        if self.start > 0 && self.start * 2 >= self.buf.len() {
            self.buf.drain(..self.start);
            self.scanned -= self.start;
            self.start = 0;
        }
        self.buf.extend_from_slice(&chunk);
    }
}

/// A body read error: the length limit of the stack's `Limited` body, or a broken stream.
fn classify(e: axum::Error) -> ReadError {
    let inner = e.into_inner();
    let mut source: Option<&(dyn std::error::Error + 'static)> =
        Some(inner.as_ref() as &(dyn std::error::Error + 'static));
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return ReadError::TooLarge;
        }
        source = err.source();
    }
    ReadError::Broken(inner.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    async fn all(chunks: Vec<&'static str>) -> Vec<String> {
        let stream = futures_util::stream::iter(
            chunks
                .into_iter()
                .map(|c| Ok::<_, std::io::Error>(Bytes::from_static(c.as_bytes()))),
        );
        let mut r = LineReader::new(Body::from_stream(stream).into_data_stream());
        let mut out = Vec::new();
        while let Some(line) = r.next().await.expect("read") {
            out.push(match line {
                Line::Text(n, t) => format!("{n}:{}", String::from_utf8(t).expect("utf8")),
                Line::TooLong(n) => format!("{n}:too long"),
            });
        }
        out
    }

    #[tokio::test]
    async fn lines_are_numbered_across_chunks_blank_lines_counted_and_crlf_dropped() {
        assert_eq!(
            all(vec!["{\"a\"", ":1}\r\n\n  \n{\"b\":2}\n{\"c\"", ":3}"]).await,
            ["1:{\"a\":1}", "4:{\"b\":2}", "5:{\"c\":3}"]
        );
        assert_eq!(all(vec![]).await, Vec::<String>::new());
        assert_eq!(all(vec!["x\n"]).await, ["1:x"]);
    }

    #[tokio::test]
    async fn a_line_over_the_maximum_is_reported_and_skipped_to_its_newline() {
        let long: &'static str = Box::leak("y".repeat(MAX_LINE_BYTES + 10).into_boxed_str());
        assert_eq!(
            all(vec!["a\n", long, long, "\nb\n", long]).await,
            ["1:a", "2:too long", "3:b", "4:too long"]
        );
    }
}
