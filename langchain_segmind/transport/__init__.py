"""The transport room of langchain-segmind."""
