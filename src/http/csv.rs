//! CSV as RFC 4180 has it (fields quoted where needed, quotes doubled,
//! records ending in CRLF), made safe to open in a spreadsheet: a cell that
//! a spreadsheet would run as a formula is written as text, as OWASP's CSV
//! injection guidance says.

/// Characters that start a formula (or, in some spreadsheets, a DDE call)
/// when they begin a cell.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Appends one record, ending in CRLF.
pub fn write_record<S: AsRef<str>>(out: &mut String, cells: &[S]) {
    for (n, cell) in cells.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        write_cell(out, cell.as_ref());
    }
    out.push_str("\r\n");
}

/// One field: a formula-like cell gets a leading `'` (spreadsheets show it
/// as text and hide the quote) and is quoted; a cell holding a comma, a
/// quote or a line break is quoted, its quotes doubled.
fn write_cell(out: &mut String, cell: &str) {
    let formula = cell.starts_with(FORMULA_STARTS);
    if !formula && !cell.contains([',', '"', '\r', '\n']) {
        out.push_str(cell);
        return;
    }
    out.push('"');
    if formula {
        out.push('\'');
    }
    for c in cell.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(cells: &[&str]) -> String {
        let mut out = String::new();
        write_record(&mut out, cells);
        out
    }

    #[test]
    fn fields_are_quoted_only_where_rfc_4180_needs_it() {
        assert_eq!(record(&["plain", "", "Zoë Ŝmith", "李雷"]), "plain,,Zoë Ŝmith,李雷\r\n");
        assert_eq!(
            record(&["a,b", "say \"hi\"", "two\nlines", "cr\r"]),
            "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\"\r\n"
        );
    }

    #[test]
    fn formula_like_cells_become_text() {
        assert_eq!(record(&["=HYPERLINK(\"http://x\")"]), "\"'=HYPERLINK(\"\"http://x\"\")\"\r\n");
        for start in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            let written = record(&[start]);
            assert!(written.starts_with("\"'"), "{start:?} → {written:?}");
        }
        assert_eq!(record(&["a=b", "1-2"]), "a=b,1-2\r\n", "only a leading character starts a formula");
    }
}
