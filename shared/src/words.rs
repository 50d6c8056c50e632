//! Lists as a sentence says them.

/// `a`, `a and b`, `a, b and c`; empty for none.
pub(crate) fn and_list(items: &[&str]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => (*last).to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lists_read_as_a_sentence() {
        assert_eq!(super::and_list(&[]), "");
        assert_eq!(super::and_list(&["logs"]), "logs");
        assert_eq!(super::and_list(&["logs", "database"]), "logs and database");
        assert_eq!(
            super::and_list(&["logs", "database", "alarm topic"]),
            "logs, database and alarm topic"
        );
    }
}
