"""The second national pollution-source census: delivery simulator and workbook reader."""
