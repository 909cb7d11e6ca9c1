"""One module per provider family. Each exposes `PROVIDER` (its name) and `FORMATS` ({format id: convert}),
where `convert(raw, repairs) -> list[Document]` takes JSON bytes/str or parsed JSON."""
