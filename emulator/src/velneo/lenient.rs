//! The `params` parser: strict JSON, or the vendor documentation's lenient single-quoted form.
//!
//! The documentation's curl examples write `params` as `{'session':'…','timestamp': 1700000000,'signed':'…'}`,
//! sometimes with a typographic quote (`‘name': 'test'`) and sometimes without the closing brace. The lenient form
//! accepted here is JSON with these relaxations, and no others:
//!
//! * strings may be delimited by `"`, `“`, `”` (closed by any of those three) or by `'`, `‘`, `’` (closed by any of
//!   those three); inside a single-quoted string `"` is an ordinary character and `\'` is an escape for `'`;
//! * the outermost object may lack its final `}` when the text ends right after a complete member.
//!
//! Strict JSON is tried first, so a strict body is never reinterpreted.

use serde_json::{Map, Number, Value};

/// Parses `params` into a JSON object, or returns a message describing the problem.
pub fn parse_params(text: &str) -> Result<Map<String, Value>, String> {
    let value = match serde_json::from_str::<Value>(text) {
        Ok(v) => v,
        Err(_) => parse_lenient(text)?,
    };
    match value {
        Value::Object(map) => Ok(map),
        _ => Err("params must be a JSON object".to_string()),
    }
}

/// Parses the lenient form (see the module documentation).
pub fn parse_lenient(text: &str) -> Result<Value, String> {
    let mut p = Parser { chars: text.chars().collect(), pos: 0 };
    p.skip_ws();
    if p.peek().is_none() {
        return Err("params is empty".to_string());
    }
    let v = p.value(0)?;
    p.skip_ws();
    match p.peek() {
        None => Ok(v),
        Some(c) => Err(p.error(&format!("unexpected '{c}' after the end of params"))),
    }
}

const MAX_DEPTH: usize = 64;

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum QuoteFamily {
    Double,
    Single,
}

fn quote_family(c: char) -> Option<QuoteFamily> {
    match c {
        '"' | '\u{201C}' | '\u{201D}' => Some(QuoteFamily::Double),
        '\'' | '\u{2018}' | '\u{2019}' => Some(QuoteFamily::Single),
        _ => None,
    }
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    fn error(&self, what: &str) -> String {
        format!("invalid params at character {}: {what}", self.pos + 1)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, want: char) -> Result<(), String> {
        match self.peek() {
            Some(c) if c == want => {
                self.pos += 1;
                Ok(())
            }
            Some(c) => Err(self.error(&format!("expected '{want}', found '{c}'"))),
            None => Err(self.error(&format!("expected '{want}', found the end of params"))),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err(self.error("nesting too deep"));
        }
        match self.peek() {
            Some('{') => self.object(depth),
            Some('[') => self.array(depth),
            Some(c) if quote_family(c).is_some() => self.string().map(Value::String),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number(),
            Some(c) if c.is_ascii_alphabetic() => self.literal(),
            Some(c) => Err(self.error(&format!("unexpected '{c}'"))),
            None => Err(self.error("unexpected end of params")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, String> {
        self.expect('{')?;
        let mut map = Map::new();
        self.skip_ws();
        if self.peek() == Some('}') {
            self.pos += 1;
            return Ok(Value::Object(map));
        }
        loop {
            self.skip_ws();
            let key = match self.peek() {
                Some(c) if quote_family(c).is_some() => self.string()?,
                Some(c) => return Err(self.error(&format!("expected a quoted name, found '{c}'"))),
                None => return Err(self.error("expected a quoted name, found the end of params")),
            };
            self.skip_ws();
            self.expect(':')?;
            self.skip_ws();
            let v = self.value(depth + 1)?;
            map.insert(key, v);
            self.skip_ws();
            match self.bump() {
                Some(',') => continue,
                Some('}') => return Ok(Value::Object(map)),
                // The documentation's examples sometimes omit the outermost closing brace.
                None if depth == 0 => return Ok(Value::Object(map)),
                Some(c) => {
                    self.pos -= 1;
                    return Err(self.error(&format!("expected ',' or '}}', found '{c}'")));
                }
                None => return Err(self.error("expected ',' or '}', found the end of params")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, String> {
        self.expect('[')?;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.bump() {
                Some(',') => continue,
                Some(']') => return Ok(Value::Array(items)),
                Some(c) => {
                    self.pos -= 1;
                    return Err(self.error(&format!("expected ',' or ']', found '{c}'")));
                }
                None => return Err(self.error("expected ',' or ']', found the end of params")),
            }
        }
    }

    fn string(&mut self) -> Result<String, String> {
        let family = match self.bump().and_then(quote_family) {
            Some(f) => f,
            None => return Err(self.error("expected a quote")),
        };
        let mut out = String::new();
        loop {
            let c = match self.bump() {
                Some(c) => c,
                None => return Err(self.error("unterminated string")),
            };
            if quote_family(c) == Some(family) {
                return Ok(out);
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            let e = match self.bump() {
                Some(e) => e,
                None => return Err(self.error("unterminated escape")),
            };
            match e {
                '"' | '\'' | '\\' | '/' => out.push(e),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                'u' => {
                    let hi = self.hex4()?;
                    let ch = if (0xD800..0xDC00).contains(&hi) {
                        // A surrogate pair: expect \uDC00..DFFF next.
                        if self.bump() != Some('\\') || self.bump() != Some('u') {
                            return Err(self.error("unpaired surrogate in \\u escape"));
                        }
                        let lo = self.hex4()?;
                        if !(0xDC00..0xE000).contains(&lo) {
                            return Err(self.error("invalid low surrogate in \\u escape"));
                        }
                        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                    } else {
                        char::from_u32(hi)
                    };
                    match ch {
                        Some(ch) => out.push(ch),
                        None => return Err(self.error("invalid \\u escape")),
                    }
                }
                other => return Err(self.error(&format!("invalid escape '\\{other}'"))),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = self.bump().and_then(|c| c.to_digit(16));
            match d {
                Some(d) => v = v * 16 + d,
                None => return Err(self.error("invalid \\u escape")),
            }
        }
        Ok(v)
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.pos;
        while matches!(self.peek(), Some(c) if c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')) {
            self.pos += 1;
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        match serde_json::from_str::<Number>(&text) {
            Ok(n) => Ok(Value::Number(n)),
            Err(_) => {
                self.pos = start;
                Err(self.error(&format!("invalid number '{text}'")))
            }
        }
    }

    fn literal(&mut self) -> Result<Value, String> {
        let start = self.pos;
        while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == '_') {
            self.pos += 1;
        }
        let word: String = self.chars[start..self.pos].iter().collect();
        match word.as_str() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            "null" => Ok(Value::Null),
            _ => {
                self.pos = start;
                Err(self.error(&format!("unexpected word '{word}' (strings need quotes)")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strict_json() {
        let m = parse_params(r#"{"session":"abc","timestamp":1700000000,"signed":"x"}"#).unwrap();
        assert_eq!(Value::Object(m), json!({"session":"abc","timestamp":1700000000,"signed":"x"}));
    }

    #[test]
    fn single_quotes_and_missing_brace() {
        let m = parse_params("{'session':'s','timestamp': 1700000000,'signed':'x'").unwrap();
        assert_eq!(Value::Object(m), json!({"session":"s","timestamp":1700000000,"signed":"x"}));
    }

    #[test]
    fn only_the_outermost_brace_may_be_missing() {
        let m = parse_params("{'a': {'b': 1}").unwrap();
        assert_eq!(Value::Object(m), json!({"a": {"b": 1}}));
    }

    #[test]
    fn typographic_quotes() {
        let m = parse_params("{'session':'s','timestamp': 1,'signed':'x', \u{2018}name': 'test'}").unwrap();
        assert_eq!(m.get("name"), Some(&json!("test")));
        let m = parse_params("{\u{201C}a\u{201D}: \u{2018}it\"s\u{2019}}").unwrap();
        assert_eq!(m.get("a"), Some(&json!("it\"s")));
    }

    #[test]
    fn escapes_and_nested() {
        let m = parse_params(r"{'a':'O\'Brien\n\u00e9','b':[1, true, null, {'c': -2.5e1}]}").unwrap();
        assert_eq!(Value::Object(m), json!({"a":"O'Brien\n\u{e9}","b":[1,true,null,{"c":-25.0}]}));
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "   ",
            "{",
            "{'a'",
            "{'a':",
            "{'a':1,",
            "{'a': 'x",
            "{a: 1}",
            "{'a': yes}",
            "{'a': 1} x",
            "{'a': {'b': 1",
            "[1,2]",
            "'str'",
            "{'a': 1.2.3}",
            "{'a': '\\q'}",
            "{'a': '\\ud800'}",
        ] {
            assert!(parse_params(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert!(parse_params(&deep).is_err());
        let deep = format!("{{'a':{}", "[".repeat(100_000));
        assert!(parse_params(&deep).is_err());
    }
}
