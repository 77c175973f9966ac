#include "attnscope/resources.h"

#include <ATen/Parallel.h>

#include <cstdlib>
#include <mutex>
#include <thread>

namespace attnscope {

void initEngineThreads(int threads)
{
    static std::once_flag once;
    std::call_once(once, [threads] {
        // $ATTNSCOPE_THREADS caps the engine's threads (shared machines, a training run beside the GUI).
        int n = threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency()));
        if (const char* env = std::getenv("ATTNSCOPE_THREADS"); env && std::atoi(env) > 0 && threads <= 0) n = std::atoi(env);
        at::set_num_threads(n);
        at::set_num_interop_threads(1);  // may be called only once, before parallel work
    });
}

} // namespace attnscope
