"""The Solara browser dashboard (``lesim dashboard``)."""
