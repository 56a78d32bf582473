// kernelbench's C kernels as a Python module. Arrays are any contiguous float32 buffer
// (array.array("f"), numpy.float32, memoryview ...): nanobind takes them through the buffer
// protocol or DLPack without copying, and the GIL is released while a kernel runs.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <stdexcept>
#include <string>

#include "kernels.h"

namespace nb = nanobind;

using In = nb::ndarray<const float, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
using Out = nb::ndarray<float, nb::ndim<1>, nb::c_contig, nb::device::cpu>;

static void same_length(size_t a, size_t b, const char *what) {
    if (a != b)
        throw std::length_error(std::string(what) + ": arrays differ in length (" +
                                std::to_string(a) + " and " + std::to_string(b) + ")");
}

NB_MODULE(_kernels, m) {
    m.doc() = "kernelbench's vectorized kernels, built for one x86-64 level";
    m.def(
        "dot",
        [](In x, In y) {
            same_length(x.shape(0), y.shape(0), "dot");
            nb::gil_scoped_release unlocked;
            return kernels_dot(x.data(), y.data(), x.shape(0));
        },
        nb::arg("x"), nb::arg("y"), "sum(x[i] * y[i])");
    m.def(
        "saxpy",
        [](float a, In x, Out y) {
            same_length(x.shape(0), y.shape(0), "saxpy");
            nb::gil_scoped_release unlocked;
            kernels_saxpy(a, x.data(), y.data(), x.shape(0));
        },
        nb::arg("a"), nb::arg("x"), nb::arg("y"), "y[i] += a * x[i], in place");
    m.def(
        "matmul",
        [](In a, In b, Out c, size_t n) {
            if (a.shape(0) != n * n || b.shape(0) != n * n || c.shape(0) != n * n)
                throw std::length_error("matmul: a, b and c must hold n * n floats");
            nb::gil_scoped_release unlocked;
            kernels_matmul(a.data(), b.data(), c.data(), n);
        },
        nb::arg("a"), nb::arg("b"), nb::arg("c"), nb::arg("n"),
        "c = a @ b for n x n row-major matrices stored flat");
    m.def(
        "poly",
        [](In x, Out y) {
            same_length(x.shape(0), y.shape(0), "poly");
            nb::gil_scoped_release unlocked;
            kernels_poly(x.data(), y.data(), x.shape(0));
        },
        nb::arg("x"), nb::arg("y"), "y[i] = p(x[i]), a degree-15 polynomial");
    m.def("build_info", &kernels_build_info,
          "the instruction set and compiler the kernels were built with");
}
