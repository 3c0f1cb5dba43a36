/* ascii.h: character classes on bytes as the C locale has them, whatever
 * locale the process runs in (setlocale() is called for iconv): ALPHA
 * and DIGIT of RFC 5234 B.1, and isspace()'s white space. */
#ifndef COFETCH_ASCII_H
#define COFETCH_ASCII_H

static inline int
ascii_is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int
ascii_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Space, tab, CR, LF, vertical tab, form feed. */
static inline int
ascii_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	    c == '\v' || c == '\f';
}

#endif
