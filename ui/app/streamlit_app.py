"""The script `archive ui` hands to `streamlit run`."""

from ui.app.main import main

main()
