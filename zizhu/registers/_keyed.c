/* keyed_int64s(key, prefix, data, width): the keyed hashes of zizhu.store.keys for many
 * values at once, as bytes holding native int64s.
 *
 * `data` holds n values of `width` bytes each, back to back; value i is hashed as
 * HMAC-SHA256(key, prefix + value) and keyed to the first 8 bytes of the digest, read as a
 * big-endian signed integer (keys.keyed_int64). The key's inner and outer pad blocks are
 * hashed once, and the loop runs without the GIL. OpenSSL's SHA-256 uses the CPU's SHA
 * instructions where there are any. Built by setup.py when a C compiler and OpenSSL's headers
 * are there; zizhu.registers.hashing computes the same values in Python otherwise.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>
#include <openssl/sha.h>

static PyObject *keyed_int64s(PyObject *self, PyObject *args) {
    Py_buffer key, prefix, data;
    Py_ssize_t width;
    PyObject *out = NULL;
    if (!PyArg_ParseTuple(args, "y*y*y*n", &key, &prefix, &data, &width)) return NULL;
    if (width <= 0 || data.len % width != 0) {
        PyErr_SetString(PyExc_ValueError, "data must hold whole values of the given width");
        goto done;
    }
    unsigned char block[SHA256_CBLOCK] = {0}, pad[SHA256_CBLOCK];
    if (key.len > SHA256_CBLOCK)
        SHA256(key.buf, (size_t)key.len, block);
    else
        memcpy(block, key.buf, (size_t)key.len);
    SHA256_CTX inner, outer;
    for (int i = 0; i < SHA256_CBLOCK; i++) pad[i] = block[i] ^ 0x36;
    SHA256_Init(&inner);
    SHA256_Update(&inner, pad, SHA256_CBLOCK);
    SHA256_Update(&inner, prefix.buf, (size_t)prefix.len);
    for (int i = 0; i < SHA256_CBLOCK; i++) pad[i] = block[i] ^ 0x5c;
    SHA256_Init(&outer);
    SHA256_Update(&outer, pad, SHA256_CBLOCK);

    Py_ssize_t n = data.len / width;
    out = PyBytes_FromStringAndSize(NULL, n * 8);
    if (out == NULL) goto done;
    unsigned char *dst = (unsigned char *)PyBytes_AS_STRING(out);
    const unsigned char *src = data.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char digest[SHA256_DIGEST_LENGTH];
        SHA256_CTX context = inner;
        SHA256_Update(&context, src + i * width, (size_t)width);
        SHA256_Final(digest, &context);
        context = outer;
        SHA256_Update(&context, digest, SHA256_DIGEST_LENGTH);
        SHA256_Final(digest, &context);
        uint64_t value = 0;
        for (int b = 0; b < 8; b++) value = (value << 8) | digest[b];
        memcpy(dst + i * 8, &value, 8);
    }
    Py_END_ALLOW_THREADS
done:
    PyBuffer_Release(&key);
    PyBuffer_Release(&prefix);
    PyBuffer_Release(&data);
    return out;
}

static PyMethodDef methods[] = {
    {"keyed_int64s", keyed_int64s, METH_VARARGS,
     "keyed_int64s(key, prefix, data, width) -> bytes of native int64 keyed hashes"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_keyed", NULL, -1, methods};

PyMODINIT_FUNC PyInit__keyed(void) { return PyModule_Create(&module); }
