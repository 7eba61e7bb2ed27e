"""Demo content and large generated datasets."""
