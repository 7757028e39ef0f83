"""The provincial solid-waste environmental supervision platform: world, HTTP simulator, connector."""
