"""The documents-once store (L13), a kernel app every domain keeps its documents in.

- `models`: Document, owned by a user or an organisation (exactly one), with its kind, source
  (upload, e-licence 电子证照, agreement 协议) and validity (`is_valid_on`).
- `content`: the content check every upload goes through (type from the bytes, size limit).
- `services`: keep an upload once per owner, kind and content (`upload_document`,
  `upload_organisation_document`, and `store_upload` + `StoredFiles` inside a caller's
  transaction).
- `selectors`: a user's documents, the reusable (still valid) ones, an organisation's.

The table is still `connection_document` (the model moved here from getelec.connection without
copying data; see migrations/0001).
"""
