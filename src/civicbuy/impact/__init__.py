"""The impact web app: carbon, SDG and social value of a dataset's spend (``/en/impact/``)."""
