"""Printed documents with reportlab (issue 5): meeting packs, forms, the quarterly return and
the quick-time record. Plain data in, PDF bytes out: what a document says is gathered by the
services (`services.pack_content`, `services.quarterly_return`, `services.quicktime_record`)."""
