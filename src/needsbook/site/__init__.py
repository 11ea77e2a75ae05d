"""The published site: the landing page that lists every built book, and the books' theme fixes."""
