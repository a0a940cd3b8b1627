#pragma once
// A rank that does not host the rendezvous store learns of the host's death on a c10d thread
// it does not own (TCPStore's watch-key reader), where the network error ends the process
// through std::terminate. While watched, such an error is reported as a lost host, with the
// same exit status (1) as a lost rank seen in a collective; any other terminate goes on to
// the previous handler.

namespace recscope {

// rank: this process's rank; agentHosts: the store is hosted by the launcher, not rank 0.
void watchStoreHost(int rank, bool agentHosts);
void unwatchStoreHost();

}  // namespace recscope
