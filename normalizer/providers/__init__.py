"""One module per provider family: its raw structs, its label and status tables, its converters
(`convert(raw, repairs) -> list[Document]`, taking JSON bytes/str or parsed JSON).
`PROVIDER` names the provider; `normalizer.registry.FORMATS` lists every format in detection order
(their sniffers are in `normalizer.sniffers`: detection imports no reader)."""
