#pragma once
// The main() of the benchmark programs: an offscreen QApplication, the engine's threads, then
// Google Benchmark.
#include "attnscope/resources.h"

#include <QApplication>
#include <benchmark/benchmark.h>

inline int runBenchmarks(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", qgetenv("QT_QPA_PLATFORM").isEmpty() ? "offscreen" : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    attnscope::initEngineThreads();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
