"""Allow `python -m sim ...` as well as the `lesim` command."""
from .cli import app

app(prog_name="lesim")
