//! Typesetting documents to PDF with Typst, as a library: no external
//! process, no network, no files read at run time. A document is a Typst
//! template compiled into the binary plus the data it lays out, handed to
//! the template as a JSON file it reads (`json("data.json")`), so what users
//! wrote is only ever data to Typst, never markup or code.
//!
//! The fonts are embedded too: Typst's bundled ones (Libertinus Serif, New
//! Computer Modern, DejaVu Sans Mono), DejaVu Sans for sans-serif themes,
//! and Droid Sans Fallback for Chinese, Japanese and Korean text, which
//! Typst falls back to for any character the theme's font lacks.
//! docs/documents.md says why Typst.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::layout::PagedDocument;
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// Fonts shipped in the binary beside Typst's own.
const EXTRA_FONTS: [&[u8]; 3] = [
    include_bytes!("../../assets/fonts/DejaVuSans.ttf"),
    include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf"),
    include_bytes!("../../assets/fonts/DroidSansFallback.ttf"),
];

/// What every compilation shares: the standard library and the fonts,
/// parsed once per process.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> =
        typst_assets::fonts().chain(EXTRA_FONTS).flat_map(|data| Font::iter(Bytes::new(data))).collect();
    let book = FontBook::from_fonts(&fonts);
    Shared { library: LazyHash::new(Library::default()), book: LazyHash::new(book), fonts }
});

/// Why a document could not be typeset: a template's bug (the data is
/// shaped by the caller), never the user's input.
#[derive(Debug, thiserror::Error)]
#[error("typesetting failed: {0}")]
pub struct TypesetError(String);

/// One compilation: the template and its data.
struct Job {
    main: Source,
    data: Bytes,
    data_id: FileId,
}

impl World for Job {
    fn library(&self) -> &LazyHash<Library> {
        &SHARED.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &SHARED.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotFound(id.vpath().as_rootless_path().into()))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else {
            Err(FileError::NotFound(id.vpath().as_rootless_path().into()))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        SHARED.fonts.get(index).cloned()
    }

    /// Templates show no "today": a document renders the same whenever it is
    /// rendered, so its ETag can stand for its bytes.
    fn today(&self, _offset: Option<i64>) -> Option<Datetime> {
        None
    }
}

/// A typeset PDF.
pub struct Pdf {
    pub bytes: Vec<u8>,
    pub pages: usize,
}

/// Typesets `template` (Typst markup) over `data` and writes a tagged PDF
/// (text selectable, in reading order; links clickable). CPU-bound: call
/// it off the async runtime's threads.
pub fn pdf(template: &str, data: &serde_json::Value) -> Result<Pdf, TypesetError> {
    let job = Job {
        main: Source::new(FileId::new(None, VirtualPath::new("main.typ")), template.to_owned()),
        data: Bytes::new(serde_json::to_vec(data).map_err(|err| TypesetError(err.to_string()))?),
        data_id: FileId::new(None, VirtualPath::new("data.json")),
    };
    let compiled = typst::compile::<PagedDocument>(&job).output;
    // Typst memoizes across compilations; entries unused for a while go, so
    // memory follows recent documents, not every one ever rendered.
    typst::comemo::evict(10);
    let document = compiled.map_err(|errors| TypesetError(describe(&errors)))?;
    let bytes = typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|errors| TypesetError(describe(&errors)))?;
    Ok(Pdf { bytes, pages: document.pages.len() })
}

fn describe(errors: &[typst::diag::SourceDiagnostic]) -> String {
    errors.iter().map(|error| error.message.as_str()).collect::<Vec<_>>().join("; ")
}
