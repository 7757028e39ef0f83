"""The national discharge-permit list: export simulator and loader."""
