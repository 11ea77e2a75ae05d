"""Print and office editions of a built book: the whole book as PDF and Word, and a short
"at a glance" PDF. Each reads only the finished HTML book, so it says what the book says."""
