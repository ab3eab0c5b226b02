"""An organisation's own exports in (``lesim import``): :mod:`.mapping` (column mappings),
:mod:`.build` (the import), :mod:`.tables` (the tables it writes and the model reads)."""
