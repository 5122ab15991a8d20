"""Streamlit app: pages only (Home.py, pages/); queries and writes live in insights/."""
