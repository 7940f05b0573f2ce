"""The tools room of langchain-segmind."""
