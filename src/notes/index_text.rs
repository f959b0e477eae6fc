//! Show notes as words for the search index: tags dropped, entities decoded, script and style
//! skipped. A plain pass over the text, many times faster than laying the notes out as a
//! `Document`: the index is built for every episode of every feed on every sync.

/// The words of `html`, separated by spaces, at most `MAX_NOTES_BYTES` of input read.
pub fn index_text(html: &str) -> String {
    let html = match html.len() > super::MAX_NOTES_BYTES {
        true => &html[..super::floor_boundary(html, super::MAX_NOTES_BYTES)],
        false => html,
    };
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(at) = rest.find(['<', '&']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with('<') {
            let lower = rest.get(..8).map(str::to_ascii_lowercase).unwrap_or_default();
            // The contents of script and style are not words of the notes.
            let skip_to = if lower.starts_with("<script") {
                "</script"
            } else if lower.starts_with("<style") {
                "</style"
            } else {
                ">"
            };
            match find_ascii_case_insensitive(rest, skip_to) {
                Some(end) => rest = &rest[end + skip_to.len()..],
                // A lone `<` is text.
                None => {
                    out.push('<');
                    rest = &rest[1..];
                    continue;
                }
            }
            if skip_to != ">" {
                rest = rest.find('>').map_or("", |end| &rest[end + 1..]);
            }
            out.push(' ');
        } else {
            let (decoded, used) = entity(rest);
            out.push_str(&decoded);
            rest = &rest[used..];
        }
    }
    out.push_str(rest);
    out
}

fn find_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    if needle == ">" {
        return haystack.find('>');
    }
    haystack.as_bytes().windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The text an entity at the start of `text` stands for (any HTML5 one, or a character
/// reference), and how many bytes it took; anything else is a lone `&`.
fn entity(text: &str) -> (std::borrow::Cow<'static, str>, usize) {
    let lone = (std::borrow::Cow::Borrowed("&"), 1);
    let Some(end) = text.get(1..).and_then(|t| t.get(..t.len().min(40))).and_then(|t| t.find(';')) else {
        return lone;
    };
    let name = &text[1..end + 1];
    let decoded = match name.strip_prefix('#') {
        Some(number) => {
            let value = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => number.parse().ok(),
            };
            value.and_then(char::from_u32).map(|c| std::borrow::Cow::Owned(c.to_string()))
        }
        None => quick_xml::escape::resolve_html5_entity(name).map(std::borrow::Cow::Borrowed),
    };
    match decoded {
        Some(decoded) => (decoded, end + 2),
        None => lone,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_stay_and_markup_goes() {
        assert_eq!(
            index_text(
                "<p>Caf&eacute; &amp; <b>cr&#232;me</b></p><script>var x = '<p>no</p>';</script><STYLE>p{}</STYLE>end"
            ),
            " Café &  crème    end"
        );
        assert_eq!(index_text("a < b and c&d; &#xE9;t&eacute"), "a < b and c&d; ét&eacute");
        assert_eq!(index_text("plain text"), "plain text");
    }
}
