"""The user interfaces: the `archive` CLI (ui.cli) and, later, the Streamlit app."""
