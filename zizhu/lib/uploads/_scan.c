/* scan(window, last_letter, width) -> (odd_form, unsure_reference): two searches of the XLSX
 * zip check (zizhu.lib.uploads.spreadsheets._PartScanner.feed) in one pass over the "=" of an
 * inflated window, instead of two regular-expression searches that stop at every "=" and "r":
 *
 * - odd_form: whether _ODD_FORM, =(?:(?<=\s=)|[\s']), matches: an "=" with ASCII whitespace
 *   (space, \t, \n, \r, \v, \f) before it, or whitespace or a single quote after it;
 * - unsure_reference: whether _short_references(rows, columns), r="(?!L?(?:D"|D?\Z)), matches:
 *   an r=" not followed by a reference certainly within the limits, where L is one capital
 *   letter from A to `last_letter` (0: none) and D a digit 1-9 followed by at most `width` - 1
 *   digits (`width` 0: none), then the quote or the end of the window.
 *
 * The regular expressions stay the definition (and the path where this is not built); tests
 * compare both on drawn windows. Only searching is done here: what a finding means is decided
 * in Python, by the same code either way. About 40 ms for the 37 MB sheet of a 100,000-row
 * list, where the two searches cost about 150 ms.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

static int is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* whether D"|D?\Z matches at q: 1 to `width` digits (the first 1-9) followed by the quote or
 * by the end of the window, or the end of the window itself. After the longest such run the
 * next character is a digit where the run was cut at `width`: neither the quote nor the end. */
static int certain_from(const unsigned char *w, Py_ssize_t n, Py_ssize_t q, int width) {
    Py_ssize_t run = 0;
    if (q == n) return 1;
    if (width < 1 || w[q] < '1' || w[q] > '9') return 0;
    while (q + run < n && run < width && w[q + run] >= '0' && w[q + run] <= '9') run++;
    return q + run == n || w[q + run] == '"';
}

static PyObject *scan(PyObject *self, PyObject *args) {
    Py_buffer view;
    int last_letter, width;
    if (!PyArg_ParseTuple(args, "y*ii", &view, &last_letter, &width)) return NULL;
    const unsigned char *w = view.buf;
    Py_ssize_t n = view.len;
    int odd = 0, unsure = 0;
    const unsigned char *at = w;
    while (!(odd && unsure)) {
        at = memchr(at, '=', (size_t)(w + n - at));
        if (at == NULL) break;
        Py_ssize_t i = at - w;
        if (!odd && ((i > 0 && is_space(w[i - 1])) ||
                     (i + 1 < n && (is_space(w[i + 1]) || w[i + 1] == '\'')))) {
            odd = 1;
        }
        if (!unsure && i > 0 && w[i - 1] == 'r' && i + 1 < n && w[i + 1] == '"') {
            Py_ssize_t p = i + 2;
            int letter = p < n && last_letter && w[p] >= 'A' && w[p] <= last_letter;
            if (!certain_from(w, n, p, width) && !(letter && certain_from(w, n, p + 1, width))) {
                unsure = 1;
            }
        }
        at++;
    }
    PyBuffer_Release(&view);
    return Py_BuildValue("(OO)", odd ? Py_True : Py_False, unsure ? Py_True : Py_False);
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_VARARGS,
     "scan(window, last_letter, width) -> (odd_form, unsure_reference)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_scan", NULL, -1, methods};

PyMODINIT_FUNC PyInit__scan(void) { return PyModule_Create(&module); }
