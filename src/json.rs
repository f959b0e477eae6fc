//! JSON from outside (chapters files, transcripts, directory answers) read the one lenient way:
//! a byte-order mark is skipped, and a number out of f64's range (`1e400`) reads as `null`, so
//! it costs its own entry, never the whole document.

use serde_json::Value;

/// The document as a JSON value, read leniently (see the module).
pub fn read_lenient(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    // Windows tools write a BOM, which serde_json refuses.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match serde_json::from_slice(bytes) {
        Ok(document) => Ok(document),
        // serde_json refuses the whole document for one number out of f64 range; read it again
        // with such numbers as null.
        Err(error) => {
            overflowing_numbers_as_null(bytes).and_then(|patched| serde_json::from_slice(&patched).ok()).ok_or(error)
        }
    }
}

/// The document with every number literal that overflows an f64 replaced by `null`, or None when
/// there is none (so the first error stands). A linear scan that only tracks strings: anything
/// else is left for serde_json to judge.
fn overflowing_numbers_as_null(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut patched = Vec::with_capacity(bytes.len());
    let mut changed = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
                patched.extend_from_slice(&bytes[start..i]);
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < bytes.len() && matches!(bytes[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') {
                    i += 1;
                }
                let literal = &bytes[start..i];
                // The literal is ASCII by construction.
                let overflows = std::str::from_utf8(literal)
                    .ok()
                    .and_then(|text| text.parse::<f64>().ok())
                    .is_some_and(|number| number.is_infinite());
                if overflows {
                    patched.extend_from_slice(b"null");
                    changed = true;
                } else {
                    patched.extend_from_slice(literal);
                }
            }
            other => {
                patched.push(other);
                i += 1;
            }
        }
    }
    changed.then_some(patched)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_out_of_range_costs_only_itself() {
        let read = read_lenient(b"\xEF\xBB\xBF{\"a\": 1e400, \"b\": \"1e400\", \"c\": [2, -1e999]}").unwrap();
        assert_eq!(read, serde_json::json!({"a": null, "b": "1e400", "c": [2, null]}));
        assert!(read_lenient(b"{\"a\": ").is_err(), "broken JSON stays an error");
    }
}
