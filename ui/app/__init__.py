"""The Streamlit app: a thin layer over `index.Archive` (run it with `archive ui`)."""
