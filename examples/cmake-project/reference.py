"""CPython's answers for window-report (main.cpp): the same kernels, the same windows, the same
format. The test (tests/install) compares the two outputs line by line."""
import importlib.util
import os


def load(name):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernels", name + ".py")
    spec = importlib.util.spec_from_file_location("kernel_" + name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


stats = load("stats")
smoothing = load("smoothing")


def show(call, function, *arguments):
    try:
        value = function(*arguments)
    except Exception as error:  # the kernels raise what CPython raises
        print(f"{call}: {type(error).__name__}")
        return
    if isinstance(value, list):
        print(f"{call}:" + "".join(" " + format(x, ".17g") for x in value))
    elif isinstance(value, float):
        print(f"{call}: {value:.17g}")
    else:
        print(f"{call}: {value}")


def report(label, xs):
    show(label + " mean", stats.mean, xs)
    show(label + " stddev", stats.stddev, xs)
    show(label + " count_above", stats.count_above, xs, 21.0)
    show(label + " zero_crossings", smoothing.zero_crossings, xs)
    show(label + " smooth", smoothing.smooth, xs, 0.25)


report("warm", [21.5, 22.0, 35.5, 19.25, 20.0, 23.75])
report("wave", [0.5, -0.25, -1.0, 0.75, 1e-3, -2.5, 3.0])
report("one", [0.1])
report("empty", [])
