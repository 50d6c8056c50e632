//! Server-Sent Events, as the HTML standard defines the `text/event-stream` format: one encoder
//! and one incremental parser, used by the server, the browser and every test.
//!
//! The parser follows the standard's "interpret an event stream" steps: lines end with CRLF, LF
//! or CR (also when a CRLF is split across chunks); a line starting with `:` is a comment;
//! `field: value` loses one leading space of the value; `data` lines are joined with LF; `id` sets
//! the last event id, which later events keep until another `id` line (an id containing NUL is
//! ignored); `retry` takes only ASCII digits; a blank line dispatches the event, unless it has no
//! data; a leading byte-order mark is dropped.

/// One event of a stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Message {
    /// The event type; `None` is the default type, `message`.
    pub event: Option<String>,
    /// The data, its lines joined with `\n`.
    pub data: String,
    /// The last event id when the event was dispatched (for `Last-Event-ID`).
    pub id: Option<String>,
    /// A new reconnection time the server asked for, in milliseconds.
    pub retry: Option<u64>,
}

impl Message {
    /// The event type, `message` when the stream named none.
    pub fn event_type(&self) -> &str {
        self.event.as_deref().unwrap_or("message")
    }
}

/// Encodes one event. Multi-line data becomes one `data:` line per line. Line breaks in the
/// event type or id, which the format cannot carry, are replaced by spaces.
pub fn encode(message: &Message) -> String {
    let mut out = String::with_capacity(message.data.len() + 32);
    let one_line = |s: &str| s.replace(['\r', '\n'], " ");
    if let Some(event) = &message.event {
        out.push_str("event: ");
        out.push_str(&one_line(event));
        out.push('\n');
    }
    if let Some(id) = &message.id {
        out.push_str("id: ");
        out.push_str(&one_line(id).replace('\0', ""));
        out.push('\n');
    }
    if let Some(retry) = message.retry {
        out.push_str(&format!("retry: {retry}\n"));
    }
    for line in split_lines(&message.data) {
        out.push_str("data: ");
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
    out
}

/// A comment: ignored by readers, it keeps idle connections open.
pub fn comment(text: &str) -> String {
    let mut out = String::new();
    for line in split_lines(text) {
        out.push(':');
        if !line.is_empty() {
            out.push(' ');
            out.push_str(line);
        }
        out.push('\n');
    }
    out.push('\n');
    out
}

/// Lines of `text` split at CRLF, LF or CR (an empty text is one empty line).
fn split_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' => {
                lines.push(&text[start..i]);
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            b'\n' => {
                lines.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    lines.push(&text[start..]);
    lines
}

/// An incremental parser: feed it text as it arrives, get the complete events back.
#[derive(Clone, Debug, Default)]
pub struct Parser {
    /// The unfinished line.
    line: String,
    /// The last chunk ended with CR: an LF starting the next one belongs to it.
    after_cr: bool,
    /// Nothing has been read yet (a byte-order mark may come).
    started: bool,
    event: Option<String>,
    data: String,
    last_id: Option<String>,
    retry: Option<u64>,
}

impl Parser {
    pub fn new() -> Parser {
        Parser::default()
    }

    /// Starts with a last event id already known (a reconnect).
    pub fn with_last_id(last_id: Option<String>) -> Parser {
        Parser {
            last_id,
            ..Parser::default()
        }
    }

    /// The id of the last event seen, for `Last-Event-ID`.
    pub fn last_id(&self) -> Option<&str> {
        self.last_id.as_deref()
    }

    /// Reads a chunk of the stream and returns the events it completed.
    pub fn push(&mut self, chunk: &str) -> Vec<Message> {
        let mut chunk = chunk;
        if !self.started && !chunk.is_empty() {
            self.started = true;
            chunk = chunk.strip_prefix('\u{feff}').unwrap_or(chunk);
        }
        let mut out = Vec::new();
        for ch in chunk.chars() {
            match ch {
                '\n' if self.after_cr => self.after_cr = false,
                '\r' | '\n' => {
                    self.after_cr = ch == '\r';
                    let line = std::mem::take(&mut self.line);
                    if let Some(message) = self.line_done(&line) {
                        out.push(message);
                    }
                }
                _ => {
                    self.after_cr = false;
                    self.line.push(ch);
                }
            }
        }
        out
    }

    fn line_done(&mut self, line: &str) -> Option<Message> {
        if line.is_empty() {
            return self.dispatch();
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "event" => self.event = Some(value.to_string()),
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
            }
            "id" if !value.contains('\0') => self.last_id = Some(value.to_string()),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                self.retry = value.parse().ok();
            }
            _ => {}
        }
        None
    }

    fn dispatch(&mut self) -> Option<Message> {
        let event = self.event.take();
        if self.data.is_empty() {
            return None;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop(); // the last LF
        Some(Message {
            event: event.filter(|e| !e.is_empty()),
            data,
            id: self.last_id.clone().filter(|id| !id.is_empty()),
            retry: self.retry.take(),
        })
    }
}

/// Parses a whole stream (tests, and answers read at once).
pub fn parse(text: &str) -> Vec<Message> {
    Parser::new().push(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(event: Option<&str>, data: &str, id: Option<&str>) -> Message {
        Message {
            event: event.map(String::from),
            data: data.into(),
            id: id.map(String::from),
            retry: None,
        }
    }

    #[test]
    fn the_standards_examples() {
        // "The following event stream, once followed by a blank line…" (HTML, 9.2.6).
        assert_eq!(
            parse("data: YHOO\ndata: +2\ndata: 10\n\n"),
            vec![msg(None, "YHOO\n+2\n10", None)]
        );
        // Comments, an id that later events keep, and an event with an empty data line.
        assert_eq!(
            parse(
                ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n"
            ),
            vec![
                msg(None, "first event", Some("1")),
                msg(None, "second event", None),
                msg(None, " third event", None),
            ]
        );
        // "data" with no colon is an empty data line; two of them make one LF.
        assert_eq!(
            parse("data\n\ndata\ndata\n\ndata:\n"),
            vec![msg(None, "", None), msg(None, "\n", None)]
        );
        // The same event, whether the space after the colon is there or not.
        assert_eq!(parse("data:test\n\n"), parse("data: test\n\n"));
    }

    #[test]
    fn line_ends_of_every_kind_even_split_across_chunks() {
        let mut p = Parser::new();
        let mut got = p.push("\u{feff}event: stack\r");
        got.extend(p.push("\nid: e1\rdata: a\r\n"));
        got.extend(p.push("data: b\r"));
        got.extend(p.push("\r"));
        assert_eq!(got, vec![msg(Some("stack"), "a\nb", Some("e1"))]);
        assert_eq!(p.last_id(), Some("e1"));
    }

    #[test]
    fn retry_takes_digits_only_and_unknown_fields_are_ignored() {
        let got = parse("retry: 2500\nfoo: bar\ndata: x\n\nretry: soon\ndata: y\n\n");
        assert_eq!(got[0].retry, Some(2500));
        assert_eq!(got[1].retry, None);
        assert_eq!(got[1].data, "y");
    }

    #[test]
    fn a_partial_event_waits_for_its_blank_line() {
        let mut p = Parser::with_last_id(Some("e7".into()));
        assert!(p.push("event: done\ndata: {\"a\"").is_empty());
        let got = p.push(":1}\n\n");
        assert_eq!(got, vec![msg(Some("done"), "{\"a\":1}", Some("e7"))]);
    }

    #[test]
    fn encode_then_parse_gives_the_event_back() {
        let cases = [
            msg(Some("stack"), "{\"a\":1}", Some("e1")),
            msg(
                Some("done"),
                "line one\nline two\r\nline three\rfour",
                Some("e1"),
            ),
            msg(None, "", Some("e2")),
            Message {
                retry: Some(3000),
                ..msg(Some("notice"), "x", Some("e2"))
            },
        ];
        let mut stream = comment("keep-alive");
        for m in &cases {
            stream.push_str(&encode(m));
        }
        let got = parse(&stream);
        let mut want = cases.to_vec();
        want[1].data = "line one\nline two\nline three\nfour".into();
        assert_eq!(got, want);
        // What cannot be carried is flattened, never lets a line break through.
        let odd = encode(&msg(Some("a\nb"), "d", Some("i\r\nd")));
        assert_eq!(parse(&odd), vec![msg(Some("a b"), "d", Some("i  d"))]);
    }
}
