import CreatePipeline
import Kafka
