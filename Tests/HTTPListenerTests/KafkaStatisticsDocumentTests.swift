import Testing

@testable import HTTPListener

/// Reading librdkafka's statistics document.
struct KafkaStatisticsDocumentTests {
    static let consumer = #"""
        {"name":"rdkafka#consumer-1","type":"consumer","ts":1,"brokers":{
          "127.0.0.1:9092/bootstrap":{"name":"127.0.0.1:9092/bootstrap","nodeid":-1,"source":"configured","state":"UP"},
          "127.0.0.1:9092/1":{"name":"127.0.0.1:9092/1","nodeid":1,"source":"learned","state":"UP"},
          "GroupCoordinator":{"name":"GroupCoordinator","nodeid":1,"source":"logical","state":"UP"},
          ":0/internal":{"name":":0/internal","nodeid":-1,"source":"internal","state":"UP"}},
        "topics":{"in":{"topic":"in","partitions":{
          "0":{"partition":0,"desired":true,"committed_offset":40,"hi_offset":50,"ls_offset":50,"lo_offset":0,"consumer_lag":10,"msgs":0,"txmsgs":0},
          "1":{"partition":1,"desired":true,"committed_offset":-1001,"hi_offset":30,"ls_offset":30,"lo_offset":5,"consumer_lag":-1,"msgs":0,"txmsgs":0},
          "2":{"partition":2,"desired":true,"committed_offset":-1001,"hi_offset":-1,"ls_offset":-1,"lo_offset":-1,"consumer_lag":-1,"msgs":0,"txmsgs":0},
          "3":{"partition":3,"desired":false,"committed_offset":7,"hi_offset":9,"ls_offset":9,"lo_offset":0,"consumer_lag":2,"msgs":0,"txmsgs":0},
          "-1":{"partition":-1,"desired":false,"committed_offset":-1001,"hi_offset":-1,"ls_offset":-1,"lo_offset":-1,"consumer_lag":-1,"msgs":0,"txmsgs":0}}}},
        "cgrp":{"state":"up","join_state":"steady","assignment_size":3}}
        """#

    static let producer = #"""
        {"name":"rdkafka#producer-1","type":"producer","ts":1,"brokers":{
          "127.0.0.1:9092/bootstrap":{"name":"127.0.0.1:9092/bootstrap","nodeid":-1,"source":"configured","state":"CONNECT"}},
        "topics":{"out":{"topic":"out","partitions":{
          "0":{"partition":0,"desired":false,"committed_offset":-1001,"hi_offset":-1,"ls_offset":-1,"lo_offset":-1,"consumer_lag":-1,"msgs":902,"txmsgs":906},
          "1":{"partition":1,"desired":false,"committed_offset":-1001,"hi_offset":-1,"ls_offset":-1,"lo_offset":-1,"consumer_lag":-1,"msgs":12,"txmsgs":10},
          "-1":{"partition":-1,"desired":false,"committed_offset":-1001,"hi_offset":-1,"ls_offset":-1,"lo_offset":-1,"consumer_lag":-1,"msgs":4,"txmsgs":0}}},
          "dlq":{"topic":"dlq","partitions":{
          "0":{"partition":0,"desired":false,"committed_offset":-1001,"hi_offset":-1,"ls_offset":-1,"lo_offset":-1,"consumer_lag":-1,"msgs":101,"txmsgs":103}}}}}
        """#

    @Test func messagesSentAgainAreWhatPartitionsSentBeyondWhatTheyWereGiven() throws {
        let document = try KafkaStatisticsDocument.parse(Self.producer)
        #expect(document.messagesSentAgain == 6, "4 + 2; a partition with messages still queued adds nothing")
        #expect(document.connectedBrokers == 0 && document.cgrp == nil)
    }

    @Test func assignedPartitionsConnectionsAndRetriesAreRead() throws {
        let document = try KafkaStatisticsDocument.parse(Self.consumer)
        #expect(document.assignedPartitions(of: "in").map(\.partition).sorted() == [0, 1, 2])
        #expect(
            document.connectedBrokers == 2, "the bootstrap and learned connections, not the internal or logical ones")
        #expect(document.messagesSentAgain == 0)
        #expect(document.cgrp?.joinState == "steady" && document.cgrp?.assignmentSize == 3)
    }

    @Test func lagIsLibrdkafkasOrTheWholeLogBeforeAFirstCommit() throws {
        let partitions = Dictionary(
            uniqueKeysWithValues: try KafkaStatisticsDocument.parse(Self.consumer).assignedPartitions(of: "in").map {
                ($0.partition, $0)
            })
        #expect(partitions[0]?.lag(startsFromEarliest: true) == 10)
        #expect(partitions[1]?.lag(startsFromEarliest: true) == 25)
        #expect(
            partitions[1]?.lag(startsFromEarliest: false) == nil, "where a latest-reset consumer started is not known")
        #expect(partitions[2]?.lag(startsFromEarliest: true) == nil, "nothing fetched yet")
        #expect(throws: (any Error).self) { try KafkaStatisticsDocument.parse(#"{"brokers":[]}"#) }
    }
}
