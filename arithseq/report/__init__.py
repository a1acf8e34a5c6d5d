"""Pictures and pages people look at: matplotlib plots (PNG) and the self-contained HTML report."""
