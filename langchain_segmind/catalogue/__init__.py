"""The catalogue room of langchain-segmind."""
