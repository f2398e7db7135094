"""The store's side of exports: reading notices for a download (`reader`, with PostgreSQL's COPY for CSV in
`copy`) and the prebuilt snapshots (`snapshots`)."""
