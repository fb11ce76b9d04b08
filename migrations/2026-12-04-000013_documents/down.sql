DROP TABLE application_documents;
DROP TABLE document_contents;
DROP TABLE documents;
