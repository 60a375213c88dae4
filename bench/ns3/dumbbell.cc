// The default packetlab comparison, written for ns-3, to time the two side by
// side on one machine (bench/ns3/side_by_side.ts runs them alternately).
//
// The same dumbbell as core/lab/compare/dumbbell.ts with its defaults: one bulk
// TCP flow, sender -(1 Gbit/s, 5.5 ms)- A -(100 Mbit/s, 11 ms)- B -(1 Gbit/s,
// 5.5 ms)- receiver, so a 44 ms base RTT; a 367-packet (1 BDP) drop-tail FIFO
// at A's bottleneck port (a FIFO queue disc over a one-packet device queue, as
// ns-3's own BBR example sets it up); MSS 1448 with timestamps and SACK, IW 10,
// a 200 ms minimum RTO and 2 MiB socket buffers (twice the BDP plus the
// queue, so the window is never the limit; ns-3.37's BBR stalls within a
// second with 4 MiB ones); 30 simulated seconds.
//
// It prints the receiver's goodput, the set-up time and the time of
// Simulator::Run, on one line.
//
// Build against an ns-3 tree configured with the optimized profile, e.g. for
// ns-3.37 (the source Debian 12 ships):
//
//   ./ns3 configure -d optimized --disable-werror \
//     --enable-modules "point-to-point;internet;applications;traffic-control"
//   ./ns3 build
//   g++ -O3 -march=native -std=c++17 dumbbell.cc -o dumbbell -I build/include \
//     -L build/lib -Wl,-rpath,$PWD/build/lib -lns3.37-core-optimized \
//     -lns3.37-network-optimized -lns3.37-internet-optimized \
//     -lns3.37-point-to-point-optimized -lns3.37-applications-optimized \
//     -lns3.37-traffic-control-optimized
//
// Options: --algo=TcpNewReno|TcpCubic|TcpBbr (default TcpCubic), --duration=S,
// --loss=P (random loss of packets arriving at B over the bottleneck).

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"
#include "ns3/traffic-control-module.h"

#include <chrono>
#include <iostream>

using namespace ns3;

int main(int argc, char** argv) {
  std::string algo = "TcpCubic";
  double duration = 30;
  double loss = 0;
  CommandLine cmd;
  cmd.AddValue("algo", "TcpNewReno, TcpCubic or TcpBbr", algo);
  cmd.AddValue("duration", "simulated seconds", duration);
  cmd.AddValue("loss", "random loss on the bottleneck", loss);
  cmd.Parse(argc, argv);
  auto t0 = std::chrono::steady_clock::now();

  Config::SetDefault("ns3::TcpL4Protocol::SocketType", StringValue("ns3::" + algo));
  Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(1448));
  Config::SetDefault("ns3::TcpSocket::SndBufSize", UintegerValue(2 << 20));
  Config::SetDefault("ns3::TcpSocket::RcvBufSize", UintegerValue(2 << 20));
  Config::SetDefault("ns3::TcpSocket::InitialCwnd", UintegerValue(10));
  Config::SetDefault("ns3::TcpSocketBase::Sack", BooleanValue(true));
  Config::SetDefault("ns3::TcpSocketBase::Timestamp", BooleanValue(true));
  Config::SetDefault("ns3::TcpSocketBase::MinRto", TimeValue(MilliSeconds(200)));

  NodeContainer n;
  n.Create(4); // sender, A, B, receiver
  PointToPointHelper edge, bottleneck;
  edge.SetDeviceAttribute("DataRate", StringValue("1Gbps"));
  edge.SetChannelAttribute("Delay", StringValue("5.5ms"));
  bottleneck.SetDeviceAttribute("DataRate", StringValue("100Mbps"));
  bottleneck.SetChannelAttribute("Delay", StringValue("11ms"));
  bottleneck.SetQueue("ns3::DropTailQueue", "MaxSize", StringValue("1p"));
  NetDeviceContainer left = edge.Install(n.Get(0), n.Get(1));
  NetDeviceContainer middle = bottleneck.Install(n.Get(1), n.Get(2));
  NetDeviceContainer right = edge.Install(n.Get(2), n.Get(3));

  InternetStackHelper stack;
  stack.Install(n);
  TrafficControlHelper fifo;
  fifo.SetRootQueueDisc("ns3::FifoQueueDisc", "MaxSize", StringValue("367p"));
  fifo.Install(middle);
  if (loss > 0) {
    Ptr<RateErrorModel> em = CreateObject<RateErrorModel>();
    em->SetAttribute("ErrorUnit", StringValue("ERROR_UNIT_PACKET"));
    em->SetAttribute("ErrorRate", DoubleValue(loss));
    middle.Get(1)->SetAttribute("ReceiveErrorModel", PointerValue(em));
  }

  Ipv4AddressHelper addresses;
  addresses.SetBase("10.1.0.0", "255.255.255.0");
  addresses.Assign(left);
  addresses.SetBase("10.0.0.0", "255.255.255.252");
  addresses.Assign(middle);
  addresses.SetBase("10.2.0.0", "255.255.255.0");
  Ipv4InterfaceContainer receiver = addresses.Assign(right);
  Ipv4GlobalRoutingHelper::PopulateRoutingTables();

  BulkSendHelper source("ns3::TcpSocketFactory",
                        InetSocketAddress(receiver.GetAddress(1), 5001));
  source.SetAttribute("MaxBytes", UintegerValue(0));
  source.SetAttribute("SendSize", UintegerValue(1448 * 10));
  source.Install(n.Get(0)).Start(Seconds(0));
  PacketSinkHelper sink("ns3::TcpSocketFactory",
                        InetSocketAddress(Ipv4Address::GetAny(), 5001));
  ApplicationContainer sinks = sink.Install(n.Get(3));
  sinks.Start(Seconds(0));

  Simulator::Stop(Seconds(duration));
  auto t1 = std::chrono::steady_clock::now();
  Simulator::Run();
  auto t2 = std::chrono::steady_clock::now();
  uint64_t bytes = DynamicCast<PacketSink>(sinks.Get(0))->GetTotalRx();
  std::cout << algo << " goodputMbps " << bytes * 8.0 / duration / 1e6 << " setup_s "
            << std::chrono::duration<double>(t1 - t0).count() << " run_s "
            << std::chrono::duration<double>(t2 - t1).count() << std::endl;
  Simulator::Destroy();
  return 0;
}
