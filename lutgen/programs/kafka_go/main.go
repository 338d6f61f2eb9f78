// The program of lutgen/modspecs/kafka_go.json: github.com/segmentio/kafka-go's
// writer, reader and connection, so their types and methods are linked in
// and their DWARF is kept.  It builds with every kafka-go release from
// v0.2 on (only API they all have); it is built, never run, by lutgen.
package main

import (
	"context"
	"fmt"

	kafka "github.com/segmentio/kafka-go"
)

func main() {
	ctx := context.Background()
	brokers := []string{"127.0.0.1:1"}
	w := kafka.NewWriter(kafka.WriterConfig{Brokers: brokers, Topic: "t"})
	fmt.Println(w.WriteMessages(ctx, kafka.Message{Value: []byte("x")}))
	w.Close()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: "t"})
	m, err := r.FetchMessage(ctx)
	fmt.Println(m.Topic, err)
	r.Close()
	if c, err := kafka.Dial("tcp", brokers[0]); err == nil {
		fmt.Println(c.WriteMessages(kafka.Message{Value: []byte("x")}))
		c.Close()
	}
}
