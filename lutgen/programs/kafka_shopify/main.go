// The program of lutgen/modspecs/kafka_shopify.json: github.com/Shopify/sarama's
// broker and synchronous producer, so Broker, responsePromise, bufConn
// and the broker's send path are linked in and their DWARF is kept.  It is
// built, never run, by lutgen.
package main

import (
	"fmt"

	"github.com/Shopify/sarama"
)

func main() {
	conf := sarama.NewConfig()
	conf.Producer.Return.Successes = true
	b := sarama.NewBroker("127.0.0.1:1")
	if err := b.Open(conf); err == nil {
		resp, err := b.Produce(&sarama.ProduceRequest{})
		fmt.Println(resp, err)
		b.Close()
	}
	p, err := sarama.NewSyncProducer([]string{"127.0.0.1:1"}, conf)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.SendMessage(&sarama.ProducerMessage{Topic: "t",
		Value: sarama.StringEncoder("x")}))
	p.Close()
}
