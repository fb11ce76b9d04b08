//! What a file is, from its bytes: the client's word (its media type, its
//! name's extension) is never taken for it. Only the types careergraph
//! stores are recognised; anything else is refused.

/// A media type careergraph stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    Pdf,
    Docx,
    Text,
    Png,
    Jpeg,
}

impl MediaType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Text => "text/plain",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }

    /// File name extensions that claim this type.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Pdf => &["pdf"],
            Self::Docx => &["docx"],
            Self::Text => &["txt", "text", "md"],
            Self::Png => &["png"],
            Self::Jpeg => &["jpg", "jpeg"],
        }
    }
}

/// The type `bytes` are, if careergraph stores it.
pub fn sniff(bytes: &[u8]) -> Option<MediaType> {
    if bytes.starts_with(b"%PDF-") {
        return Some(MediaType::Pdf);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(MediaType::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(MediaType::Jpeg);
    }
    // A DOCX is a ZIP archive (local file header `PK\3\4`) holding the
    // WordprocessingML main part; an XLSX or a plain ZIP is not one.
    if bytes.starts_with(b"PK\x03\x04") {
        let names_word_part = bytes.windows(b"word/document.xml".len()).any(|window| window == b"word/document.xml");
        let names_content_types = bytes.windows(b"[Content_Types].xml".len()).any(|w| w == b"[Content_Types].xml");
        return (names_word_part && names_content_types).then_some(MediaType::Docx);
    }
    // Text: valid UTF-8 without NUL or other control characters than
    // whitespace (binaries have them early).
    let text = std::str::from_utf8(bytes).ok()?;
    let printable = text.chars().all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t' | '\u{c}'));
    printable.then_some(MediaType::Text)
}

/// Whether `file_name` claims a type other than `found`: its extension,
/// if it has one, must be one of `found`'s.
pub fn misnamed(file_name: &str, found: MediaType) -> bool {
    match file_name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => {
            !found.extensions().iter().any(|known| known.eq_ignore_ascii_case(extension))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes_and_names_must_agree() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(MediaType::Pdf));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0"), Some(MediaType::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(MediaType::Jpeg));
        assert_eq!(sniff(b"PK\x03\x04...[Content_Types].xml...word/document.xml"), Some(MediaType::Docx));
        assert_eq!(sniff(b"PK\x03\x04...xl/workbook.xml"), None, "a spreadsheet is not a DOCX");
        assert_eq!(sniff("Zoë's CV\n\tRust".as_bytes()), Some(MediaType::Text));
        assert_eq!(sniff(b"MZ\x90\0\x03"), None, "an executable is nothing careergraph stores");
        assert_eq!(sniff(&[0xC3, 0x28]), None, "not UTF-8");
        assert!(misnamed("cv.pdf", MediaType::Png));
        assert!(misnamed("cv.exe", MediaType::Text));
        assert!(!misnamed("CV.PDF", MediaType::Pdf));
        assert!(!misnamed("cv", MediaType::Pdf));
        assert!(!misnamed(".profile", MediaType::Text));
    }
}
