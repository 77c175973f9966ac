#include "attnscope/resources.h"

#include <ATen/Parallel.h>

#include <mutex>
#include <thread>

namespace attnscope {

void initEngineThreads(int threads)
{
    static std::once_flag once;
    std::call_once(once, [threads] {
        const int n = threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency()));
        at::set_num_threads(n);
        at::set_num_interop_threads(1);  // may be called only once, before parallel work
    });
}

} // namespace attnscope
