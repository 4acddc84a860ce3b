//! A dot-command line as words: split at whitespace; `'…'` and `"…"` keep what they
//! hold as one word (an empty one too), without escapes; an unclosed quote runs to the
//! end of the line.

pub fn split(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&first) = chars.peek() else { break };
        let mut word = String::new();
        if first == '\'' || first == '"' {
            chars.next();
            for c in chars.by_ref() {
                if c == first {
                    break;
                }
                word.push(c);
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                word.push(c);
            }
        }
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_quotes() {
        assert_eq!(split(".mode  box "), [".mode", "box"]);
        assert_eq!(split(".nullvalue ''"), [".nullvalue", ""]);
        assert_eq!(split(".once \"my file.txt\" x"), [".once", "my file.txt", "x"]);
        assert_eq!(split(".read 'open"), [".read", "open"]);
        assert!(split("   ").is_empty());
    }
}
